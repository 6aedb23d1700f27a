function Remove-OfflineSeedImportJob {
    <#
    .SYNOPSIS
    Deletes an import job from Azure Import/Export.

    .DESCRIPTION
    Deletes the seed's import job (or -JobName in -ResourceGroupName). The service deletes a job only
    while it is Creating (before the drives are shipped) or once it is Completed; in any other state its
    refusal is reported as the error OfflineSeed.ImportExportInvalidJobState. A job that does not exist
    is not an error. The service deletes finished jobs by itself 90 days after they end.

    Before a finished job is deleted the seed records how it ended (Imported when it was); a seed whose
    job is deleted while Creating goes back to DrivesPrepared, so New-OfflineSeedImportJob can create the
    job again.

    The cmdlet asks for confirmation (ConfirmImpact High); use -Confirm:$false in scheduled tasks and
    runbooks. -WhatIf shows what would be deleted.

    .PARAMETER StagingPath
    Staging location of the seed whose import job it is.

    .PARAMETER SeedUri
    The published seed (Publish-OfflineSeed's SeedUri, azure://<account>/<container>/<prefix>): the job
    to remove comes from its published descriptor. For runbooks with no local state.

    .PARAMETER JobName
    Name of the import job, to name a job without its staging location (with -ResourceGroupName).

    .PARAMETER ResourceGroupName
    Resource group of the job.

    .PARAMETER SubscriptionId
    Azure subscription of the job. Default: the one the seed recorded.

    .PARAMETER PublishSettingsFile
    Legacy Azure publish settings file, read only for the subscription id.

    .PARAMETER ControlPlane
    The Azure control plane of the job: DataBox (a customer-disk job of Azure Data Box, SKU
    DataBoxCustomerDisk, listed under Data Box in the portal) or ImportExport (a classic Azure
    Import/Export job). Default: where the seed's job was created; for a job given by -JobName, the cmdlet looks it up (Data Box first, then Import/Export).

    .PARAMETER Environment
    Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

    .PARAMETER CredentialProfile
    Name of a credential profile saved by New-OfflineSeedCredential: sign in as its application with its
    certificate (tenant, client id and certificate come from the profile).

    .PARAMETER TenantId
    Entra tenant of the service principal.

    .PARAMETER ClientId
    Application (client) id of the service principal.

    .PARAMETER ClientSecret
    Client secret of the service principal, as a SecureString.

    .PARAMETER CertificatePath
    PEM certificate (with its key) of the service principal.

    .PARAMETER AccessToken
    Azure Resource Manager access token, as a SecureString (Get-AzAccessToken).

    .PARAMETER WhatIf
    Shows what would be deleted, and deletes nothing.

    .PARAMETER Confirm
    Asks for confirmation before the job is deleted (the default, ConfirmImpact High).

    .EXAMPLE
    Remove-OfflineSeedImportJob -StagingPath F:\Staging

    Asks for confirmation, then deletes the seed's import job.

    .EXAMPLE
    Get-ImportJobStatus -StagingPath F:\Staging | Where-Object State -eq 'Completed' | Remove-OfflineSeedImportJob -Confirm:$false

    Deletes the seed's job once it is Completed, without a prompt.

    .INPUTS
    System.Management.Automation.PSObject. Objects with StagingPath, or JobName and ResourceGroup
    properties, such as OfflineSeed.ImportJobStatus objects, bind by property name.

    .OUTPUTS
    OfflineSeed.ImportJobAction

    .NOTES
    Deleting a job does not delete the imported blobs, the logs in the diagnostics container, or the
    staging location.

    .LINK
    about_OfflineSeed

    .LINK
    Stop-OfflineSeedImportJob

    .LINK
    Get-ImportJobStatus
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High', DefaultParameterSetName = 'Seed')]
    [OutputType('OfflineSeed.ImportJobAction')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'Seed')]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'SeedUri')]
        [ValidatePattern('^azure://')]
        [string] $SeedUri,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Job')]
        [ValidateLength(2, 64)]
        [ValidatePattern('^[a-z][a-z0-9-]*$', Options = 'None')]
        [string] $JobName,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Job')]
        [Alias('ResourceGroup')]
        [ValidateNotNullOrEmpty()]
        [string] $ResourceGroupName,

        [Parameter(ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [string] $SubscriptionId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PublishSettingsFile,

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateSet('DataBox', 'ImportExport')]
        [string] $ControlPlane,

        [Parameter()]
        [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')]
        [string] $Environment,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ClientId,

        [Parameter()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath,

        [Parameter()]
        [System.Security.SecureString] $AccessToken
    )

    process {
        $params = @{}
        $target = ''
        if ($PSCmdlet.ParameterSetName -eq 'Seed') {
            $params['stagingPath'] = Resolve-OfflineSeedPath -Path $StagingPath
            $target = 'the import job of the seed in {0}' -f $params['stagingPath']
        } elseif ($PSCmdlet.ParameterSetName -eq 'SeedUri') {
            $params['seedUri'] = $SeedUri
            $target = 'the import job of the seed published at {0}' -f $SeedUri
        } else {
            $params['jobName'] = $JobName
            $params['resourceGroup'] = $ResourceGroupName
            $target = 'import job {0} (resource group {1})' -f $JobName, $ResourceGroupName
        }
        if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $params['subscriptionId'] = $SubscriptionId }
        if ($PSBoundParameters.ContainsKey('PublishSettingsFile')) { $params['publishSettingsFile'] = Resolve-OfflineSeedPath -Path $PublishSettingsFile }
        if (-not [string]::IsNullOrEmpty($ControlPlane)) { $params['controlPlane'] = $ControlPlane }
        if ($PSBoundParameters.ContainsKey('AccessToken')) { $params['accessToken'] = $AccessToken }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters
        $dryRun = -not $PSCmdlet.ShouldProcess($target, 'Delete the import job')
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'job.remove' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}

function New-OfflineSeedImportJob {
    <#
    .SYNOPSIS
    Creates the import job for a seed whose drives are prepared (Azure Data Box customer disk, or Azure Import/Export), and shows where to ship them.

    .DESCRIPTION
    The third step of offline seeding. The engine builds the import job from the staging location: the
    drives, their manifests and manifest hashes come from the drive journals and DriveInfo exports that
    Initialize-OfflineSeedDrive left in <StagingPath>\drives, and each drive's BitLocker recovery password
    from its owner-only key file. The seed must be completely on drives (at most 10, each drive id once).

    By default the job is created on Azure Data Box (-ControlPlane DataBox): an "Import/Export job in
    Azure Data Box" with SKU DataBoxCustomerDisk, each drive listed by its drive id with its manifest
    file, manifest hash and BitLocker key, the seed's storage account as the data destination, the
    return address as contact details and shipping address, and the return carrier account. The job
    names the datacenter to ship to; the copy logs go to the container databoxcopylog.

    With -ControlPlane ImportExport the cmdlet creates a classic Import/Export job instead: it looks up
    the Import/Export location of the storage account's region (-Location), follows its alternate
    locations when the region's own site does not take drives, and reports the ship-to address and the
    carriers it accepts.

    Either way the result carries the ship-to address, the job's State (Created) and the service's own
    state beside it (ServiceState: AwaitingShipmentDetails on Data Box, Creating on Import/Export); the
    job is recorded in the seed's offlineseed.json (state JobCreated, with its control plane, which the
    other job cmdlets then use), and the cmdlet says by when the drives must be shipped: a job that
    waits for shipment details is deleted by the service after 14 days.

    The return address and return carrier account come from -ReturnAddress, -ReturnCarrierName and
    -ReturnCarrierAccountNumber, or from the saved profile (%APPDATA%\OfflineSeed\profile.json, or
    -ProfilePath); -SaveProfile saves the ones given for the next job.

    Running the cmdlet again for a job that exists with the same drives changes nothing (Outcome
    AlreadyExists); a job of that name with other drives is an error. -WhatIf shows the job that would be
    created, without the BitLocker keys.

    .PARAMETER StagingPath
    Staging location of the seed, as given to Start-OfflineSeed.

    .PARAMETER SeedUri
    The published seed (Publish-OfflineSeed's SeedUri, azure://<account>/<container>/<prefix>), instead
    of -StagingPath: for an Azure Automation runbook with no local state. The drives and manifests come
    from the records Publish-OfflineSeed stored next to the repository, and the BitLocker keys are
    unsealed with -Password. Storage access: the same identity (the managed identity by default).

    .PARAMETER Password
    Repository password, as a SecureString (in a runbook: the Password of an Automation credential). With
    -SeedUri it unseals the BitLocker keys Publish-OfflineSeed stored; never stored or printed.

    .PARAMETER Location
    Location of the job: the storage account's region, for example 'West US' or westus.

    .PARAMETER SubscriptionId
    Azure subscription of the job and storage account. Default: the seed's.

    .PARAMETER ResourceGroupName
    Resource group of the job (and, by default, of the storage account). Default: the seed's.

    .PARAMETER PublishSettingsFile
    Legacy Azure publish settings file, read only for the subscription id.

    .PARAMETER ControlPlane
    The Azure control plane of the job: DataBox (a customer-disk job of Azure Data Box, SKU
    DataBoxCustomerDisk, listed under Data Box in the portal) or ImportExport (a classic Azure
    Import/Export job). Default: DataBox for a new job (the Import/Export API is retired for new work); a job the seed recorded stays where it was created.

    .PARAMETER StorageAccountId
    ARM id of the seed's storage account, when it is in another resource group than the job.

    .PARAMETER ReturnAddress
    Where the drives are sent back, as a hashtable: RecipientName, StreetAddress1, StreetAddress2, City,
    StateOrProvince, PostalCode, CountryOrRegion, Phone, Email. Default: the profile's.

    .PARAMETER ReturnCarrierName
    Carrier that sends the drives back (FedEx in the US and Europe, DHL in Asia and Australia).

    .PARAMETER ReturnCarrierAccountNumber
    Your account number with the return carrier.

    .PARAMETER ProfilePath
    Profile file holding the return address and carrier. Default: %APPDATA%\OfflineSeed\profile.json
    (on Linux and macOS $XDG_CONFIG_HOME/offlineseed/profile.json).

    .PARAMETER SaveProfile
    Save the return address and carrier given here into the profile.

    .PARAMETER DiagnosticsPath
    Container (optionally with a virtual folder) that receives the service's logs. Default waimportexport.

    .PARAMETER LogLevel
    Error: the service logs only what failed. Verbose (default): also every imported blob, which
    Complete-OfflineSeed reads.

    .PARAMETER BackupDriveManifest
    Have the service copy each drive manifest into the diagnostics container.

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
    Shows the job that would be created, without the BitLocker keys, and creates nothing.

    .PARAMETER Confirm
    Asks for confirmation before the job is created.

    .EXAMPLE
    $cred = Get-AutomationPSCredential -Name 'OfflineSeedRepository'
    New-OfflineSeedImportJob -SeedUri azure://contosobackup/backups/fs01 -Password $cred.Password -Location 'West US' -SubscriptionId $sub -ResourceGroupName rg-backup

    In an Azure Automation runbook (managed identity, no staging location): creates the job from the
    seed Publish-OfflineSeed published; the repository password unseals the BitLocker keys.

    .EXAMPLE
    $address = @{ RecipientName = 'Contoso IT'; StreetAddress1 = '1 Main St'; City = 'Redmond'; StateOrProvince = 'WA'
        PostalCode = '98052'; CountryOrRegion = 'USA'; Phone = '4255550100'; Email = 'it@contoso.com' }
    New-OfflineSeedImportJob -StagingPath F:\Staging -Location 'West US' -ReturnAddress $address `
        -ReturnCarrierName FedEx -ReturnCarrierAccountNumber 123456789 -SaveProfile

    Creates the import job for the seed in F:\Staging, saves the return details for the next job, and
    shows the address to ship the drives to.

    .EXAMPLE
    Get-OfflineSeed -StagingPath F:\Staging | New-OfflineSeedImportJob -Location westus -WhatIf

    Shows the job that would be created (drives, manifests, ship-to address) without creating it; the
    return details come from the saved profile.

    .INPUTS
    System.Management.Automation.PSObject. Objects with StagingPath, SubscriptionId and ResourceGroup
    properties, such as OfflineSeed.Seed objects from Get-OfflineSeed, bind by property name.

    .OUTPUTS
    OfflineSeed.ImportJob

    .NOTES
    The BitLocker recovery passwords go to the engine only inside its request and to Azure only in the
    job; they are never shown. Get-OfflineSeedBitLockerKey lists the ones the service holds.

    .LINK
    about_OfflineSeed

    .LINK
    Update-ImportShipping

    .LINK
    Get-ImportJobStatus
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Staging')]
    [OutputType('OfflineSeed.ImportJob')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'Staging')]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'SeedUri')]
        [ValidatePattern('^azure://')]
        [string] $SeedUri,

        [Parameter(Mandatory, ParameterSetName = 'SeedUri')]
        [System.Security.SecureString] $Password,

        [Parameter(Mandatory)]
        [ValidateLength(2, 64)]
        [string] $Location,

        [Parameter(ValueFromPipelineByPropertyName)]
        [AllowEmptyString()]
        [string] $SubscriptionId,

        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('ResourceGroup')]
        [AllowEmptyString()]
        [string] $ResourceGroupName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PublishSettingsFile,

        [Parameter()]
        [ValidateSet('DataBox', 'ImportExport')]
        [string] $ControlPlane,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $StorageAccountId,

        [Parameter()]
        [ValidateNotNull()]
        [System.Collections.IDictionary] $ReturnAddress,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ReturnCarrierName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ReturnCarrierAccountNumber,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ProfilePath,

        [Parameter()]
        [switch] $SaveProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $DiagnosticsPath,

        [Parameter()]
        [ValidateSet('Error', 'Verbose')]
        [string] $LogLevel,

        [Parameter()]
        [switch] $BackupDriveManifest,

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
        $params = @{
            location = $Location
        }
        if ($PSCmdlet.ParameterSetName -eq 'SeedUri') {
            $staging = $SeedUri
            $params['seedUri'] = $SeedUri
            $params['password'] = $Password
        } else {
            $staging = Resolve-OfflineSeedPath -Path $StagingPath
            $params['stagingPath'] = $staging
        }
        if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $params['subscriptionId'] = $SubscriptionId }
        if (-not [string]::IsNullOrEmpty($ResourceGroupName)) { $params['resourceGroup'] = $ResourceGroupName }
        if ($PSBoundParameters.ContainsKey('PublishSettingsFile')) { $params['publishSettingsFile'] = Resolve-OfflineSeedPath -Path $PublishSettingsFile }
        if (-not [string]::IsNullOrEmpty($ControlPlane)) { $params['controlPlane'] = $ControlPlane }
        if ($PSBoundParameters.ContainsKey('StorageAccountId')) { $params['storageAccountId'] = $StorageAccountId }
        if ($PSBoundParameters.ContainsKey('ReturnAddress')) {
            # The engine's field names are camelCase (recipientName); accept RecipientName as well.
            $address = [ordered]@{}
            foreach ($key in @($ReturnAddress.Keys)) {
                $name = [string]$key
                $address[$name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)] = [string]$ReturnAddress[$key]
            }
            $params['returnAddress'] = $address
        }
        if ($PSBoundParameters.ContainsKey('ReturnCarrierName') -or $PSBoundParameters.ContainsKey('ReturnCarrierAccountNumber')) {
            $shipping = [ordered]@{}
            if ($PSBoundParameters.ContainsKey('ReturnCarrierName')) { $shipping['carrierName'] = $ReturnCarrierName }
            if ($PSBoundParameters.ContainsKey('ReturnCarrierAccountNumber')) { $shipping['carrierAccountNumber'] = $ReturnCarrierAccountNumber }
            $params['returnShipping'] = $shipping
        }
        if ($PSBoundParameters.ContainsKey('ProfilePath')) { $params['profilePath'] = Resolve-OfflineSeedPath -Path $ProfilePath }
        if ($SaveProfile) { $params['saveProfile'] = $true }
        if ($PSBoundParameters.ContainsKey('DiagnosticsPath')) { $params['diagnosticsPath'] = $DiagnosticsPath }
        if ($PSBoundParameters.ContainsKey('LogLevel')) { $params['logLevel'] = $LogLevel }
        if ($BackupDriveManifest) { $params['backupDriveManifest'] = $true }
        if ($PSBoundParameters.ContainsKey('AccessToken')) { $params['accessToken'] = $AccessToken }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters

        $dryRun = -not $PSCmdlet.ShouldProcess($staging, "Create the Azure Import/Export job for the seed's prepared drives (location $Location)")
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'job.create' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}

function Set-OfflineSeedProfile {
    <#
    .SYNOPSIS
    Saves the return address and return carrier account once, for this user or the whole computer.

    .DESCRIPTION
    The Import/Export service sends the drives back to a return address, on your account with the
    return carrier. Saved here once, New-OfflineSeedImportJob and Test-OfflineSeedPrerequisite use
    them without being told. The user's profile (%APPDATA%\OfflineSeed\profile.json) wins over the
    machine's (%ProgramData%\OfflineSeed\profile.json, -Scope Machine), field by field; fields not given
    here keep their saved values. -RemoveCredentialProfile deletes a credential profile saved by
    New-OfflineSeedCredential (its certificate stays registered on the application until an
    administrator removes it). The file is written atomically and readable by its owner only.

    .PARAMETER ReturnAddress
    Return address as a hashtable: RecipientName, StreetAddress1, StreetAddress2, City, StateOrProvince,
    PostalCode, CountryOrRegion, Phone, Email.

    .PARAMETER ReturnCarrierName
    Carrier that sends the drives back (FedEx in the US and Europe, DHL in Asia and Australia).

    .PARAMETER ReturnCarrierAccountNumber
    Your account number with the return carrier.

    .PARAMETER RemoveCredentialProfile
    Name of a credential profile to remove.

    .PARAMETER Scope
    User (default) or Machine (every user of this computer; needs write access to %ProgramData%).

    .PARAMETER ProfilePath
    Profile file to write, instead of the scope's.

    .EXAMPLE
    Set-OfflineSeedProfile -Scope Machine -ReturnAddress @{RecipientName='IT Operations'; StreetAddress1='1 Main St'; City='Redmond'; StateOrProvince='WA'; PostalCode='98052'; CountryOrRegion='USA'; Phone='+1 425 555 0100'; Email='it-ops@contoso.com'} -ReturnCarrierName FedEx -ReturnCarrierAccountNumber 123456789

    Saves the return details for every administrator of this computer.

    .EXAMPLE
    Set-OfflineSeedProfile -ReturnAddress @{Phone='+1 425 555 0199'}

    Changes only the phone number in your own profile.

    .INPUTS
    None.

    .OUTPUTS
    OfflineSeed.Profile

    .LINK
    about_OfflineSeed

    .LINK
    Get-OfflineSeedProfile
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Low')]
    [OutputType('OfflineSeed.Profile')]
    param(
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
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $RemoveCredentialProfile,

        [Parameter()]
        [ValidateSet('User', 'Machine')]
        [string] $Scope = 'User',

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ProfilePath
    )

    process {
        $params = @{ scope = $Scope }
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
        if ($PSBoundParameters.ContainsKey('RemoveCredentialProfile')) { $params['removeCredentialProfile'] = $RemoveCredentialProfile }
        $target = '{0} profile' -f $Scope
        if ($PSBoundParameters.ContainsKey('ProfilePath')) {
            $params['profilePath'] = Resolve-OfflineSeedPath -Path $ProfilePath
            $target = $params['profilePath']
        }
        $dryRun = -not $PSCmdlet.ShouldProcess($target, 'Save the return details / remove a credential profile')
        if ($dryRun -and -not $WhatIfPreference) { return }
        Invoke-OfflineSeedEngine -Command 'profile.set' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
